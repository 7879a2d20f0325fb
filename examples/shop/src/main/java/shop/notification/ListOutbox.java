package shop.notification;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import shop.Db;
import shop.UsesDb;

/** Lists the emails in the outbox, oldest first. */
public final class ListOutbox implements Nano<Void, List<ListOutbox.Email>>, UsesDb {

    /** One email waiting to be sent. */
    public record Email(long id, String to, String subject, String body) {
    }

    @Override
    public List<Email> apply(Void none, Ctx ctx) throws Exception {
        List<Email> emails = new ArrayList<>();
        try (Connection db = Db.connect(ctx);
             Statement statement = db.createStatement();
             ResultSet row = statement.executeQuery("SELECT id, recipient, subject, body FROM outbox ORDER BY id")) {
            while (row.next()) {
                emails.add(new Email(row.getLong("id"), row.getString("recipient"), row.getString("subject"), row.getString("body")));
            }
        }
        return emails;
    }
}
