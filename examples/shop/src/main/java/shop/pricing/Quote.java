package shop.pricing;

import java.util.List;

/**
 * What an order costs, VAT included.
 *
 * @param lines         each item at its catalog price
 * @param subtotalCents the sum of the lines
 * @param shippingCents the shipping fee
 * @param totalCents    what the customer pays
 * @param currency      the ISO 4217 code of every amount
 */
public record Quote(List<Line> lines, long subtotalCents, long shippingCents, long totalCents, String currency) {

    /** One item at its price. */
    public record Line(String sku, String name, int quantity, long unitPriceCents) {

        public long totalCents() {
            return unitPriceCents * quantity;
        }
    }
}
