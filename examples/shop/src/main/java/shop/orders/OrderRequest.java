package shop.orders;

import java.util.List;
import shop.Item;
import shop.shipping.Address;

/**
 * An order as a customer places it.
 *
 * @param token  the customer's token, which says who orders
 * @param items  what to buy
 * @param shipTo where to send it
 */
public record OrderRequest(String token, List<Item> items, Address shipTo) {
}
