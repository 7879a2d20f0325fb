package shop.reporting;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import shop.Db;
import shop.UsesDb;

/** Sums up the sales so far: orders, units sold and revenue, in total and per product. */
public final class SalesSummary implements Nano<Void, SalesSummary.Summary>, UsesDb {

    /** The sales so far; revenue counts what the products sold for, without shipping fees. */
    public record Summary(long orders, long unitsSold, long revenueCents, List<ProductSales> products) {
    }

    /** The sales of one product. */
    public record ProductSales(String sku, long unitsSold, long revenueCents) {
    }

    @Override
    public Summary apply(Void none, Ctx ctx) throws Exception {
        try (Connection db = Db.connect(ctx); Statement statement = db.createStatement()) {
            List<ProductSales> products = new ArrayList<>();
            try (ResultSet row = statement.executeQuery("""
                    SELECT sku, SUM(units) AS units, SUM(revenue_cents) AS revenue FROM sales
                    GROUP BY sku ORDER BY revenue DESC, sku""")) {
                while (row.next()) {
                    products.add(new ProductSales(row.getString("sku"), row.getLong("units"), row.getLong("revenue")));
                }
            }
            try (ResultSet row = statement.executeQuery(
                    "SELECT COUNT(DISTINCT order_id), COALESCE(SUM(units), 0), COALESCE(SUM(revenue_cents), 0) FROM sales")) {
                row.next();
                return new Summary(row.getLong(1), row.getLong(2), row.getLong(3), products);
            }
        }
    }
}
