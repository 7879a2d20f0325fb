package shop.checkout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nanolith.Functions;
import java.util.List;
import org.junit.jupiter.api.Test;
import shop.Item;
import shop.Problem;

/** verify-items names every problem of a basket, its mistakes before its shortages; it reserves and charges nothing. */
class VerifyItemsTest {

    @Test
    void findsNothingWrongWithABasketThatCanBeBought(Functions functions) {
        assertEquals(List.of(), functions.call(VerifyItems.class, List.of(new Item("CB-300", 1), new Item("MS-200", 1))));
    }

    @Test
    void namesAnEmptyBasket(Functions functions) {
        assertEquals(List.of(new Problem("empty-basket", "the basket is empty — add at least one item")),
                functions.call(VerifyItems.class, List.of()));
    }

    @Test
    void namesEveryMistakeBeforeTheShortages(Functions functions) {
        List<Problem> problems = functions.call(VerifyItems.class,
                List.of(new Item("HP-500", 1), new Item("XX-000", 1), new Item("KB-100", 0), new Item("CB-300", 1), new Item("CB-300", 1)));

        assertEquals(List.of(
                new Problem("duplicate-sku", "CB-300 is in the basket more than once — give it once, with the total quantity"),
                new Problem("unknown-sku", "there is no product XX-000 — catalog.list-products lists them"),
                new Problem("bad-quantity", "the quantity of KB-100 must be at least 1, not 0"),
                new Problem("out-of-stock", "not enough HP-500 in stock: 1 asked, 0 left")), problems);
    }
}
