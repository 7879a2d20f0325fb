package shop.payments;

/**
 * A charge the payment processor made: the money was taken.
 *
 * @param chargeId the processor's id of the charge, such as {@code ch_000001}
 */
public record Charged(String chargeId) {
}
