package shop.orders;

import java.util.List;

/**
 * A recorded order; every recorded order is paid.
 *
 * @param id            the order number
 * @param customerId    who ordered
 * @param lines         what was bought, at the prices paid
 * @param subtotalCents the sum of the lines
 * @param shippingCents the shipping fee
 * @param totalCents    what was charged
 * @param chargeId      the payment processor's id of the charge
 */
public record Order(long id, long customerId, List<Line> lines, long subtotalCents, long shippingCents, long totalCents,
                    String chargeId) {

    /** One item as bought. */
    public record Line(String sku, String name, int quantity, long unitPriceCents) {
    }
}
