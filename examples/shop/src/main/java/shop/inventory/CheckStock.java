package shop.inventory;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import shop.Db;
import shop.Item;
import shop.UsesDb;

/** Tells which items are short of stock right now; an empty answer means all are there. */
public final class CheckStock implements Nano<List<Item>, List<Shortage>>, UsesDb {

    @Override
    public List<Shortage> apply(List<Item> items, Ctx ctx) throws Exception {
        List<Shortage> shortages = new ArrayList<>();
        try (Connection db = Db.connect(ctx);
             PreparedStatement select = db.prepareStatement("SELECT on_hand FROM stock WHERE sku = ?")) {
            for (Item item : items) {
                select.setString(1, item.sku());
                try (ResultSet row = select.executeQuery()) {
                    int onHand = row.next() ? row.getInt(1) : 0;
                    if (onHand < item.quantity()) {
                        shortages.add(new Shortage(item.sku(), item.quantity(), onHand));
                    }
                }
            }
        }
        return shortages;
    }
}
