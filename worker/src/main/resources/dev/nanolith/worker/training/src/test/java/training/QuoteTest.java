package training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nanolith.Functions;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuoteTest {

    @Test
    void quotesAnOrder(Functions functions) {
        Quote.Offer offer = functions.call(Quote.class, new Quote.Order(List.of(new Line("A", 2, 150), new Line("B", 1, 99), new Line("A", 1, 150)),
                LocalDate.of(2026, 1, 1)));

        assertEquals(new Quote.Offer(549, "EUR", LocalDate.of(2026, 1, 15), Map.of("A", 3, "B", 1)), offer);
    }

    @Test
    void pricesEachLine(Functions functions) {
        assertEquals(100 + 750, functions.apply(Price.class, List.of(new Line("A", 1, 100), new Line("B", 3, 250))));
    }

    @Test
    void buildsARequest(Functions functions) {
        assertEquals("example.com", functions.call(Fetch.class, "/orders").host());
    }
}
