package shop;

/**
 * One line of a basket: a product and how many of it.
 *
 * <p>The quantity is checked by {@code checkout.verify-items}, not here: a quantity below 1 is a
 * mistake in the basket, answered with 422 {@code bad-quantity} like an unknown SKU, while an
 * exception in this constructor would fail the input's JSON binding with a plain 400.
 *
 * @param sku      the product's stock-keeping unit, such as {@code KB-100}
 * @param quantity how many, at least 1
 */
public record Item(String sku, int quantity) {

    public Item {
        if (sku == null || sku.isBlank()) {
            throw new IllegalArgumentException("an item needs a sku, such as KB-100");
        }
    }
}
