package shop.catalog;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import shop.Db;
import shop.UsesDb;

/** Looks up products by SKU; a SKU the catalog does not have is left out of the answer. */
public final class FindProducts implements Nano<List<String>, Map<String, Product>>, UsesDb {

    @Override
    public Map<String, Product> apply(List<String> skus, Ctx ctx) throws Exception {
        Map<String, Product> found = new LinkedHashMap<>();
        try (Connection db = Db.connect(ctx);
             PreparedStatement select = db.prepareStatement("SELECT sku, name, price_cents FROM products WHERE sku = ?")) {
            for (String sku : skus) {
                select.setString(1, sku);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        found.put(sku, new Product(row.getString("sku"), row.getString("name"), row.getLong("price_cents")));
                    }
                }
            }
        }
        return found;
    }
}
