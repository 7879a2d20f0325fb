package shop.orders;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import shop.Db;
import shop.UsesDb;
import shop.pricing.Quote;

/**
 * Records a paid order and turns its stock reservation into a sale, in one transaction.
 *
 * <p>The reservation must hold exactly the order's items: the stock it took is what the order
 * sold.
 */
public final class RecordOrder implements Nano<RecordOrder.PaidOrder, Order>, UsesDb {

    /** An order that has been paid for. */
    public record PaidOrder(long customerId, String reservationId, Quote quote, String chargeId) {
    }

    @Override
    public Order apply(PaidOrder paid, Ctx ctx) throws Exception {
        Order order = Db.inTransaction(ctx, db -> {
            Map<String, Integer> held = new TreeMap<>();
            try (PreparedStatement select = db.prepareStatement("SELECT sku, quantity FROM reservations WHERE id = ? FOR UPDATE")) {
                select.setString(1, paid.reservationId());
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        held.put(row.getString("sku"), row.getInt("quantity"));
                    }
                }
            }
            Map<String, Integer> sold = paid.quote().lines().stream()
                    .collect(Collectors.toMap(Quote.Line::sku, Quote.Line::quantity, Integer::sum, TreeMap::new));
            if (!held.equals(sold)) {
                throw new IllegalStateException("reservation " + paid.reservationId() + " holds " + held + ", but the order sells "
                        + sold + " — reserve an order's items with inventory.reserve-stock before recording it");
            }
            long id;
            try (Statement next = db.createStatement(); ResultSet row = next.executeQuery("SELECT NEXT VALUE FOR order_ids")) {
                row.next();
                id = row.getLong(1);
            }
            Quote quote = paid.quote();
            try (PreparedStatement insert = db.prepareStatement("""
                    INSERT INTO orders (id, customer_id, subtotal_cents, shipping_cents, total_cents, charge_id)
                    VALUES (?, ?, ?, ?, ?, ?)""")) {
                insert.setLong(1, id);
                insert.setLong(2, paid.customerId());
                insert.setLong(3, quote.subtotalCents());
                insert.setLong(4, quote.shippingCents());
                insert.setLong(5, quote.totalCents());
                insert.setString(6, paid.chargeId());
                insert.executeUpdate();
            }
            try (PreparedStatement insert = db.prepareStatement("""
                    INSERT INTO order_lines (order_id, line, sku, name, quantity, unit_price_cents) VALUES (?, ?, ?, ?, ?, ?)""")) {
                int number = 0;
                for (Quote.Line line : quote.lines()) {
                    insert.setLong(1, id);
                    insert.setInt(2, ++number);
                    insert.setString(3, line.sku());
                    insert.setString(4, line.name());
                    insert.setInt(5, line.quantity());
                    insert.setLong(6, line.unitPriceCents());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            try (PreparedStatement delete = db.prepareStatement("DELETE FROM reservations WHERE id = ?")) {
                delete.setString(1, paid.reservationId());
                delete.executeUpdate();
            }
            List<Order.Line> lines = quote.lines().stream()
                    .map(l -> new Order.Line(l.sku(), l.name(), l.quantity(), l.unitPriceCents())).toList();
            return new Order(id, paid.customerId(), lines, quote.subtotalCents(), quote.shippingCents(), quote.totalCents(),
                    paid.chargeId());
        });
        ctx.log().log(System.Logger.Level.INFO, "recorded order " + order.id() + " of customer " + order.customerId()
                + ": " + order.lines().size() + " lines, " + order.totalCents() + " cents, charge " + order.chargeId());
        return order;
    }
}
