package shop.inventory;

import shop.Problem;

/**
 * Less of a product in stock than asked for.
 *
 * @param sku       the product
 * @param requested how many were asked for
 * @param available how many are in stock
 */
public record Shortage(String sku, int requested, int available) {

    /** The code of a shortage as a problem or a refusal. */
    public static final String OUT_OF_STOCK = "out-of-stock";

    /** The shortage as a customer reads it. */
    public Problem problem() {
        return new Problem(OUT_OF_STOCK, "not enough " + sku + " in stock: " + requested + " asked, " + available + " left");
    }
}
