package shop.shipping;

/**
 * Where a parcel goes.
 *
 * @param name     who receives it
 * @param street   street and number
 * @param postcode the postcode
 * @param city     the city
 * @param country  the ISO 3166 two-letter country code, such as {@code NL}
 */
public record Address(String name, String street, String postcode, String city, String country) {
}
