package shop.inventory;

/**
 * Items set aside for an order under {@code id}, until the order is recorded or the
 * reservation released.
 */
public record Reservation(String id) {
}
