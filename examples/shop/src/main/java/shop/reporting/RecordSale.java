package shop.reporting;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.Connection;
import java.sql.PreparedStatement;
import shop.Db;
import shop.UsesDb;
import shop.orders.Order;

/**
 * Adds a placed order to the sales ledger that reports are made from; recording an order twice
 * counts it once.
 */
public final class RecordSale implements Nano<Order, Void>, UsesDb {

    @Override
    public Void apply(Order order, Ctx ctx) throws Exception {
        try (Connection db = Db.connect(ctx);
             PreparedStatement merge = db.prepareStatement(
                     "MERGE INTO sales (order_id, sku, units, revenue_cents) KEY (order_id, sku) VALUES (?, ?, ?, ?)")) {
            for (Order.Line line : order.lines()) {
                merge.setLong(1, order.id());
                merge.setString(2, line.sku());
                merge.setInt(3, line.quantity());
                merge.setLong(4, line.quantity() * line.unitPriceCents());
                merge.addBatch();
            }
            merge.executeBatch();
        }
        return null;
    }
}
