package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nanolith.Functions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The catalog lists every product for sale, and a lookup by SKU leaves out what the catalog does not have. */
class CatalogTest {

    @Test
    void listsEveryProductInSkuOrder(Functions functions) {
        List<ListProducts.Listing> listings = functions.call(ListProducts.class, null);

        assertEquals(List.of("CB-300", "HP-500", "KB-100", "MN-400", "MS-200"),
                listings.stream().map(ListProducts.Listing::sku).toList());
        // Stock moves as the shop sells, so only the sold-out headphones have a count to rely on.
        assertEquals(new ListProducts.Listing("HP-500", "Noise-cancelling headphones", 17_900, 0), listings.get(1));
    }

    @Test
    void findsProductsBySkuAndLeavesOutUnknownOnes(Functions functions) {
        Map<String, Product> found = functions.call(FindProducts.class, List.of("KB-100", "XX-000", "MS-200"));

        assertEquals(Map.of("KB-100", new Product("KB-100", "Mechanical keyboard", 8900),
                "MS-200", new Product("MS-200", "Wireless mouse", 2900)), found);
    }
}
