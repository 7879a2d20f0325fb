package hot;

import java.util.function.Function;

/** Returns its input: the whole cost of a call over HTTP is the platform's. */
public class Echo implements Function<Message, Message> {

    @Override
    public Message apply(Message input) {
        return input;
    }
}
