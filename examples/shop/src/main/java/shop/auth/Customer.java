package shop.auth;

/**
 * A registered customer.
 *
 * @param id    the customer's number
 * @param name  the full name
 * @param email where mail to the customer goes
 */
public record Customer(long id, String name, String email) {
}
