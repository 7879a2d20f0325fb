package shop.orders;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import dev.nanolith.RefusedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import shop.Db;
import shop.UsesDb;

/** Reads an order back with its lines; an unknown order number is refused as not found (404). */
public final class GetOrder implements Nano<GetOrder.OrderNumber, Order>, UsesDb {

    /** Which order. */
    public record OrderNumber(long orderId) {
    }

    @Override
    public Order apply(OrderNumber number, Ctx ctx) throws Exception {
        try (Connection db = Db.connect(ctx);
             PreparedStatement order = db.prepareStatement(
                     "SELECT customer_id, subtotal_cents, shipping_cents, total_cents, charge_id FROM orders WHERE id = ?");
             PreparedStatement lines = db.prepareStatement(
                     "SELECT sku, name, quantity, unit_price_cents FROM order_lines WHERE order_id = ? ORDER BY line")) {
            order.setLong(1, number.orderId());
            lines.setLong(1, number.orderId());
            try (ResultSet head = order.executeQuery(); ResultSet line = lines.executeQuery()) {
                if (!head.next()) {
                    throw RefusedException.notFound("no-such-order", "there is no order " + number.orderId()
                            + " — the order number is in the order's confirmation email");
                }
                List<Order.Line> bought = new ArrayList<>();
                while (line.next()) {
                    bought.add(new Order.Line(line.getString("sku"), line.getString("name"), line.getInt("quantity"),
                            line.getLong("unit_price_cents")));
                }
                return new Order(number.orderId(), head.getLong("customer_id"), bought, head.getLong("subtotal_cents"),
                        head.getLong("shipping_cents"), head.getLong("total_cents"), head.getString("charge_id"));
            }
        }
    }
}
