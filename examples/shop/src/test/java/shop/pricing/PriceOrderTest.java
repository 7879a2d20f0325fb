package shop.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nanolith.Functions;
import java.util.List;
import org.junit.jupiter.api.Test;
import shop.Item;

/** An order is priced at catalog prices in euros; shipping is 4.95 below 50.00 and free from there on (nanolith.yaml). */
class PriceOrderTest {

    @Test
    void pricesEachLineAtItsCatalogPrice(Functions functions) {
        Quote quote = functions.call(PriceOrder.class, List.of(new Item("KB-100", 2), new Item("MS-200", 1)));

        assertEquals(List.of(new Quote.Line("KB-100", "Mechanical keyboard", 2, 8900),
                new Quote.Line("MS-200", "Wireless mouse", 1, 2900)), quote.lines());
        assertEquals(20_700, quote.subtotalCents());
        assertEquals("EUR", quote.currency());
    }

    @Test
    void chargesShippingBelowTheFreeShippingAmount(Functions functions) {
        // Four cables make 48.00, just short of the 50.00 that ships for free.
        Quote quote = functions.call(PriceOrder.class, List.of(new Item("CB-300", 4)));

        assertEquals(new Quote(List.of(new Quote.Line("CB-300", "USB-C cable, 2 m", 4, 1200)), 4800, 495, 5295, "EUR"), quote);
    }

    @Test
    void waivesShippingFromTheFreeShippingAmountOn(Functions functions) {
        Quote quote = functions.call(PriceOrder.class, List.of(new Item("CB-300", 5)));

        assertEquals(new Quote(List.of(new Quote.Line("CB-300", "USB-C cable, 2 m", 5, 1200)), 6000, 0, 6000, "EUR"), quote);
    }
}
