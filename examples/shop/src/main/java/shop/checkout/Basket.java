package shop.checkout;

import java.util.List;
import shop.Item;

/**
 * What a customer wants to buy.
 *
 * @param customerId the customer, already signed in
 * @param items      the products and their quantities
 */
public record Basket(long customerId, List<Item> items) {
}
