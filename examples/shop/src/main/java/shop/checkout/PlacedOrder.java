package shop.checkout;

/**
 * A placed order: the customer paid {@code totalCents} and order {@code orderId} is recorded.
 *
 * @param orderId    the order number
 * @param totalCents what was charged, in euro cents
 * @param chargeId   the payment processor's id of the charge
 */
public record PlacedOrder(long orderId, long totalCents, String chargeId) {
}
