package training;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A quote for an order: its total (priced by another function), its currency and how long it holds. */
public final class Quote implements Nano<Quote.Order, Quote.Offer> {

    public record Order(List<Line> lines, LocalDate on) {}

    public record Offer(long totalCents, String currency, LocalDate validUntil, Map<String, Integer> quantities) {}

    @Override
    public Offer apply(Order order, Ctx ctx) {
        long total = ctx.apply(Price.class, order.lines());
        Map<String, Integer> quantities = new TreeMap<>();
        order.lines().forEach(line -> quantities.merge(line.sku(), line.quantity(), Integer::sum));
        ctx.log().log(System.Logger.Level.DEBUG, () -> String.format("quoted %d lines: %d.%02d %s", order.lines().size(),
                total / 100, total % 100, ctx.config("currency")));
        return new Offer(total, ctx.config("currency"), order.on().plusDays(14), quantities);
    }
}
