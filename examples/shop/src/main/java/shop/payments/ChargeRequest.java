package shop.payments;

/**
 * A charge to make.
 *
 * @param amountCents    how much, in cents of {@code currency}
 * @param currency       the ISO 4217 code, such as {@code EUR}
 * @param card           the payment processor's card token
 * @param idempotencyKey the same key for the same charge: asked twice, the processor charges once
 */
public record ChargeRequest(long amountCents, String currency, String card, String idempotencyKey) {
}
