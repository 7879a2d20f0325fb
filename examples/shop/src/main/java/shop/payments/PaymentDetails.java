package shop.payments;

/**
 * How a customer pays.
 *
 * @param customerId the customer
 * @param name       the card holder's name
 * @param email      where receipts go
 * @param card       the payment processor's token for the customer's card, such as {@code tok_visa}
 */
public record PaymentDetails(long customerId, String name, String email, String card) {
}
