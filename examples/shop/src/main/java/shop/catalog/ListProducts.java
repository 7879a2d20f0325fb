package shop.catalog;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import shop.Db;
import shop.UsesDb;

/** Lists every product for sale with its price and how many are in stock. */
public final class ListProducts implements Nano<Void, List<ListProducts.Listing>>, UsesDb {

    /** A product as the catalog page shows it. */
    public record Listing(String sku, String name, long priceCents, int inStock) {
    }

    @Override
    public List<Listing> apply(Void none, Ctx ctx) throws Exception {
        List<Listing> listings = new ArrayList<>();
        try (Connection db = Db.connect(ctx);
             Statement statement = db.createStatement();
             ResultSet row = statement.executeQuery("""
                     SELECT p.sku, p.name, p.price_cents, COALESCE(s.on_hand, 0) AS on_hand
                     FROM products p LEFT JOIN stock s ON s.sku = p.sku
                     ORDER BY p.sku""")) {
            while (row.next()) {
                listings.add(new Listing(row.getString("sku"), row.getString("name"), row.getLong("price_cents"), row.getInt("on_hand")));
            }
        }
        return listings;
    }
}
