package training;

/** One line of an order: a product and how many. */
public record Line(String sku, int quantity, long unitCents) {
}
