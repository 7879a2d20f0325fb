package shop.inventory;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import shop.Db;
import shop.UsesDb;

/** Puts the items of a reservation back in stock, after its order could not be paid; releasing twice does nothing. */
public final class ReleaseStock implements Nano<Reservation, Void>, UsesDb {

    @Override
    public Void apply(Reservation reservation, Ctx ctx) throws Exception {
        Db.inTransaction(ctx, db -> {
            try (PreparedStatement held = db.prepareStatement("SELECT sku, quantity FROM reservations WHERE id = ? FOR UPDATE");
                 PreparedStatement restock = db.prepareStatement("UPDATE stock SET on_hand = on_hand + ? WHERE sku = ?");
                 PreparedStatement drop = db.prepareStatement("DELETE FROM reservations WHERE id = ?")) {
                held.setString(1, reservation.id());
                try (ResultSet row = held.executeQuery()) {
                    while (row.next()) {
                        restock.setInt(1, row.getInt("quantity"));
                        restock.setString(2, row.getString("sku"));
                        restock.executeUpdate();
                    }
                }
                drop.setString(1, reservation.id());
                drop.executeUpdate();
            }
            return null;
        });
        ctx.log().log(System.Logger.Level.INFO, "released reservation " + reservation.id());
        return null;
    }
}
