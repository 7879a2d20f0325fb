package shop.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nanolith.Functions;
import dev.nanolith.RefusedException;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import shop.Item;
import shop.Problem;
import shop.orders.CreateOrder;
import shop.orders.OrderRequest;
import shop.shipping.Address;

/** An order's mistakes that its customer can fix are each named, and an order with any is refused. */
class ValidateOrderTest {

    /** Ada's token, from the seed data. */
    static final String ADA = "tk_ada_4d3f";
    static final Address AMSTERDAM = new Address("Ada Lovelace", "Keizersgracht 1", "1015 CJ", "Amsterdam", "NL");
    static final List<Item> CABLE = List.of(new Item("CB-300", 1));

    @Test
    void findsNothingWrongWithACompleteAddressInTheShippingArea(Functions functions) {
        assertEquals(List.of(), validate(functions, new OrderRequest(ADA, CABLE, AMSTERDAM)));
    }

    @Test
    void namesEveryEmptyAddressField(Functions functions) {
        Address incomplete = new Address("Ada Lovelace", " ", "1015 CJ", "", "NL");

        assertEquals(List.of(new Problem("invalid-address", "shipTo.city is empty — fill it in"),
                        new Problem("invalid-address", "shipTo.street is empty — fill it in")),
                validate(functions, new OrderRequest(ADA, CABLE, incomplete)));
    }

    @Test
    void allowsAtMostTwentyLines(Functions functions) {
        List<Item> lines = Collections.nCopies(21, new Item("CB-300", 1));

        assertEquals(List.of(new Problem("too-many-lines", "an order takes at most 20 lines, not 21 — split it in two")),
                validate(functions, new OrderRequest(ADA, lines, AMSTERDAM)));
    }

    @Test
    void refusesAnOrderToACountryTheShopDoesNotShipTo(Functions functions) {
        Address boston = new Address("Ada Lovelace", "1 Beacon St", "02108", "Boston", "US");

        // Refused before anything is reserved or charged: no payment processor is needed, no row changes.
        RefusedException refused = assertThrows(RefusedException.class,
                () -> functions.call(CreateOrder.class, new OrderRequest(ADA, CABLE, boston)));
        assertEquals(422, refused.status());
        assertEquals("invalid-address", refused.code());
        assertEquals("the shop does not ship to 'US' — it ships to BE, DE, FR, LU, NL", refused.getMessage());
    }

    /** validate-order is a plain Function, so it is called by name. */
    static List<Problem> validate(Functions functions, OrderRequest order) {
        return functions.call("validation.validate-order", order, ValidateOrder.Verdict.class).problems();
    }
}
