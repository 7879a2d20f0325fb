package shop.orders;

/**
 * A created order: paid, invoiced and booked for shipping.
 *
 * @param orderId        the order number
 * @param totalCents     what was charged, in euro cents
 * @param invoice        the invoice's number, such as {@code INV-000001}
 * @param carrier        the parcel carrier that ships it
 * @param trackingNumber the carrier's tracking number
 */
public record CreatedOrder(long orderId, long totalCents, String invoice, String carrier, String trackingNumber) {
}
