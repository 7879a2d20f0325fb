package shop.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import shop.Problem;
import shop.orders.OrderRequest;
import shop.shipping.Address;

/**
 * Checks an order for mistakes its customer can fix: too many lines, an incomplete address, a
 * country the shop does not ship to.
 *
 * <p>A plain {@link Function}: it needs nothing of the platform, so it is called by name.
 */
public final class ValidateOrder implements Function<OrderRequest, ValidateOrder.Verdict> {

    /** Every mistake found; none means the order may go on. */
    public record Verdict(List<Problem> problems) {
    }

    private static final String INVALID_ADDRESS = "invalid-address";
    private static final int MAX_LINES = 20;
    private static final Set<String> SHIPS_TO = Set.of("BE", "DE", "FR", "LU", "NL");

    @Override
    public Verdict apply(OrderRequest order) {
        List<Problem> problems = new ArrayList<>();
        if (order.items().size() > MAX_LINES) {
            problems.add(new Problem("too-many-lines",
                    "an order takes at most " + MAX_LINES + " lines, not " + order.items().size() + " — split it in two"));
        }
        Address to = order.shipTo();
        Map.of("shipTo.name", to.name(), "shipTo.street", to.street(), "shipTo.postcode", to.postcode(), "shipTo.city", to.city())
                .entrySet().stream()
                .filter(field -> field.getValue().isBlank())
                .map(field -> field.getKey() + " is empty — fill it in")
                .sorted()
                .forEach(message -> problems.add(new Problem(INVALID_ADDRESS, message)));
        if (!SHIPS_TO.contains(to.country())) {
            problems.add(new Problem(INVALID_ADDRESS, "the shop does not ship to '" + to.country() + "' — it ships to "
                    + String.join(", ", SHIPS_TO.stream().sorted().toList())));
        }
        return new Verdict(problems);
    }
}
