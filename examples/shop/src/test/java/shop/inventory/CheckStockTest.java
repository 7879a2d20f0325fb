package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.Functions;
import java.util.List;
import org.junit.jupiter.api.Test;
import shop.Item;

/** check-stock names each item short of stock with how many are left, and reserves nothing. */
class CheckStockTest {

    @Test
    void reportsNoShortageWhenEveryItemIsInStock(Functions functions) {
        assertEquals(List.of(), functions.call(CheckStock.class, List.of(new Item("CB-300", 1))));
    }

    @Test
    void reportsASoldOutProduct(Functions functions) {
        assertEquals(List.of(new Shortage("HP-500", 1, 0)), functions.call(CheckStock.class, List.of(new Item("HP-500", 1))));
    }

    @Test
    void reportsOnlyTheItemsAskedForBeyondTheirStock(Functions functions) {
        List<Shortage> shortages = functions.call(CheckStock.class, List.of(new Item("CB-300", 1), new Item("MN-400", 1000)));

        assertEquals(1, shortages.size(), shortages::toString);
        Shortage monitors = shortages.getFirst();
        assertEquals("MN-400", monitors.sku());
        assertEquals(1000, monitors.requested());
        // Five on a fresh database; fewer once some are sold.
        assertTrue(monitors.available() <= 5, monitors::toString);
    }

    @Test
    void takesAnUnknownProductToBeOutOfStock(Functions functions) {
        assertEquals(List.of(new Shortage("XX-000", 2, 0)), functions.call(CheckStock.class, List.of(new Item("XX-000", 2))));
    }
}
