package shop.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nanolith.Functions;
import dev.nanolith.RefusedException;
import java.util.List;
import org.junit.jupiter.api.Test;
import shop.Item;
import shop.shipping.Address;

/** An order that does not exist is not found, and only a known customer may order. */
class OrdersTest {

    @Test
    void refusesAnUnknownOrderNumberAsNotFound(Functions functions) {
        // Order numbers start at 1001, so there is never an order 1000.
        RefusedException refused = assertThrows(RefusedException.class,
                () -> functions.call(GetOrder.class, new GetOrder.OrderNumber(1000)));

        assertEquals(404, refused.status());
        assertEquals("no-such-order", refused.code());
        assertEquals("there is no order 1000 — the order number is in the order's confirmation email", refused.getMessage());
    }

    @Test
    void refusesAnOrderWithAnUnknownToken(Functions functions) {
        OrderRequest order = new OrderRequest("tk_nobody", List.of(new Item("CB-300", 1)),
                new Address("Ada Lovelace", "Keizersgracht 1", "1015 CJ", "Amsterdam", "NL"));

        RefusedException refused = assertThrows(RefusedException.class, () -> functions.call(CreateOrder.class, order));

        assertEquals(403, refused.status());
        assertEquals("invalid-token", refused.code());
    }
}
