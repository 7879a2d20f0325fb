package shop.inventory;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import dev.nanolith.RefusedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import shop.Db;
import shop.Item;
import shop.Problem;
import shop.UsesDb;

/**
 * Takes items out of stock for an order about to be paid, all of them or none: when some are
 * short, it refuses as out of stock (409).
 *
 * <p>Each product's stock is lowered only where enough is left, in one transaction, so that
 * concurrent orders can never take stock below zero.
 */
public final class ReserveStock implements Nano<List<Item>, Reservation>, UsesDb {

    // The check constraint on_hand >= 0: the database's own guard against overselling.
    private static final String CHECK_VIOLATION = "23513";

    @Override
    public Reservation apply(List<Item> items, Ctx ctx) throws Exception {
        // By SKU, so that two reservations lock rows in the same order and never wait on each other.
        Map<String, Integer> wanted = new TreeMap<>();
        items.forEach(item -> wanted.merge(item.sku(), item.quantity(), Integer::sum));
        String id = UUID.randomUUID().toString();
        return Db.inTransaction(ctx, db -> {
            List<Shortage> shortages = new ArrayList<>();
            try (PreparedStatement take = db.prepareStatement("UPDATE stock SET on_hand = on_hand - ? WHERE sku = ? AND on_hand >= ?");
                 PreparedStatement hold = db.prepareStatement("INSERT INTO reservations (id, sku, quantity) VALUES (?, ?, ?)")) {
                for (Map.Entry<String, Integer> item : wanted.entrySet()) {
                    if (taken(take, item.getKey(), item.getValue())) {
                        hold.setString(1, id);
                        hold.setString(2, item.getKey());
                        hold.setInt(3, item.getValue());
                        hold.executeUpdate();
                    } else {
                        shortages.add(new Shortage(item.getKey(), item.getValue(), onHand(db, item.getKey())));
                    }
                }
            }
            if (!shortages.isEmpty()) {
                // Thrown inside the transaction, so that the stock taken for the other items goes back.
                throw RefusedException.conflict(Shortage.OUT_OF_STOCK, Problem.messages(shortages.stream().map(Shortage::problem).toList()));
            }
            return new Reservation(id);
        });
    }

    private static boolean taken(PreparedStatement take, String sku, int quantity) throws SQLException {
        take.setInt(1, quantity);
        take.setString(2, sku);
        take.setInt(3, quantity);
        try {
            return take.executeUpdate() == 1;
        } catch (SQLException e) {
            if (CHECK_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    private static int onHand(Connection db, String sku) throws SQLException {
        try (PreparedStatement select = db.prepareStatement("SELECT on_hand FROM stock WHERE sku = ?")) {
            select.setString(1, sku);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getInt(1) : 0;
            }
        }
    }
}
