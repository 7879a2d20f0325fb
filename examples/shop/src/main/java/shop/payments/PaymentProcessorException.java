package shop.payments;

/**
 * The payment processor neither took nor refused a charge: it was unreachable, failing, too slow
 * or misconfigured.
 */
public final class PaymentProcessorException extends Exception {

    PaymentProcessorException(String message) {
        super(message);
    }

    PaymentProcessorException(String message, Throwable cause) {
        super(message, cause);
    }
}
