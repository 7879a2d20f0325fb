package shop.catalog;

/**
 * A product for sale.
 *
 * @param sku        its stock-keeping unit, such as {@code KB-100}
 * @param name       what customers see
 * @param priceCents its price in euro cents, VAT included
 */
public record Product(String sku, String name, long priceCents) {
}
