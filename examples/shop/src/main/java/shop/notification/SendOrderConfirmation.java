package shop.notification;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Locale;
import java.util.stream.Collectors;
import shop.Db;
import shop.UsesDb;
import shop.orders.Order;

/** Writes the confirmation email of a placed order to the outbox, from which it is sent. */
public final class SendOrderConfirmation implements Nano<SendOrderConfirmation.Confirmation, Void>, UsesDb {

    /** The order to confirm and who to confirm it to. */
    public record Confirmation(String name, String email, Order order) {
    }

    @Override
    public Void apply(Confirmation confirmation, Ctx ctx) throws Exception {
        Order order = confirmation.order();
        String items = order.lines().stream().map(line -> line.quantity() + " x " + line.name()).collect(Collectors.joining(", "));
        String body = "Hello " + confirmation.name() + ", thank you for your order " + order.id() + ": " + items
                + ". We charged EUR " + euros(order.totalCents()) + " to your card.";
        try (Connection db = Db.connect(ctx);
             PreparedStatement insert = db.prepareStatement("INSERT INTO outbox (recipient, subject, body) VALUES (?, ?, ?)")) {
            insert.setString(1, confirmation.email());
            insert.setString(2, "Your order " + order.id());
            insert.setString(3, body);
            insert.executeUpdate();
        }
        return null;
    }

    static String euros(long cents) {
        return String.format(Locale.ROOT, "%d.%02d", cents / 100, cents % 100);
    }
}
