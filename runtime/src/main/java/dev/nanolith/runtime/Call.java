package dev.nanolith.runtime;

import dev.nanolith.Caller;
import dev.nanolith.Ctx;
import dev.nanolith.runtime.observe.Activation;
import java.lang.System.Logger;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One call of one function: its context as the function sees it, and the state the
 * pipeline's stages share for the call (its deadline).
 */
public final class Call extends AbstractFunctions implements Ctx {

    private final Route route;
    /** The call that made this one, in this process; null for an entry, a carried call or an app's test. */
    private final Call parent;
    private final String principal;
    private final String from;
    private final Trace trace;
    private final long started;
    private final boolean carried;
    private final boolean standIn;
    private long deadline;
    private int sentBytes = -1, receivedBytes = -1;
    private long durationNanos;
    private long remoteNanos;
    private Activation.Status status;
    /** What the function logged during the call; made by its first line. */
    private List<String> logs;

    Call(Route route, Call parent, String principal, String from, long deadline, Trace trace, boolean carried, boolean standIn) {
        this.route = route;
        this.parent = parent;
        this.carried = carried;
        this.standIn = standIn;
        this.principal = principal;
        this.from = from;
        this.started = System.nanoTime();
        this.deadline = deadline;
        this.trace = trace;
    }

    /** When this call started, in {@link System#nanoTime()} terms: read once, for every stage. */
    public long started() {
        return started;
    }

    /** The function called. */
    public Route route() {
        return route;
    }

    /** Who the operation runs for: what {@link #caller()} says, without making a {@code Caller}. */
    public String principal() {
        return principal;
    }

    /** The calling function's name, or null for an operation's entry call. */
    public String from() {
        return from;
    }

    /**
     * Whether the call came from another process, whose pipeline handled its failures (retries,
     * waits, breakers) before it was sent: this process runs it and nothing more.
     */
    public boolean carried() {
        return carried;
    }

    /** Whether this call is a fallback's, standing in for a function whose call failed: its own failure has no fallback. */
    public boolean standIn() {
        return standIn;
    }

    /** The same call, made again from now on: a retry, with {@code deadline} (the caller's) as its own. */
    public Call retry(long deadline) {
        return new Call(route, parent, principal, from, deadline, trace.again(), carried, standIn);
    }

    /**
     * Calls {@code function}, of this call's revision, in place of this call's function: with the
     * same input, for the same caller, principal and trace, within {@code deadline}. A fallback.
     */
    public Object fallback(String function, Object input, long deadline) {
        return route.revision().route(function).invoke(input, parent, principal, from, deadline, trace.again(), true);
    }

    /** Where this call stands in its operation's trace: the trace, its own span, its caller's. */
    public Trace trace() {
        return trace;
    }

    /**
     * Records what a call between processes carried: for a call into another process, the request's
     * and the answer's bytes; for a call from another process, the answer's and the request's JSON.
     */
    public void transferred(int sent, int received) {
        this.sentBytes = sent;
        this.receivedBytes = received;
    }

    /** The request's bytes, for a call that went to another process; -1 otherwise. */
    public int sentBytes() {
        return sentBytes;
    }

    /** The answer's bytes, for a call that went to another process; -1 otherwise. */
    public int receivedBytes() {
        return receivedBytes;
    }

    /** When this call must end, in {@link System#nanoTime()} terms. */
    public long deadline() {
        return deadline;
    }

    /** Brings this call's deadline forward; nested calls inherit it. */
    public void deadline(long nanoTime) {
        this.deadline = nanoTime;
    }

    @Override
    Object byClass(Class<?> function, Object input) {
        return route.revision().route(function).invoke(input, this, principal, route.name(), deadline, trace.child(), false);
    }

    @Override
    public <O> O call(String function, Object input, Class<O> output) {
        return route.revision().call(function, input, output, this, principal, route.name(), deadline, trace.child());
    }

    @Override
    public Caller caller() {
        return new Caller(principal, Optional.ofNullable(from));
    }

    @Override
    public String function() {
        return route.name();
    }

    @Override
    public Map<String, String> config() {
        return route.spec().config();
    }

    @Override
    public String config(String key) {
        String value = route.spec().config().get(key);
        if (value == null) {
            throw new IllegalStateException("'" + route.name() + "' has no setting '" + key
                    + "' — set functions." + route.name() + ".config." + key + " in nanolith.yaml");
        }
        return value;
    }

    @Override
    public String secret(String name) {
        if (!route.spec().secrets().contains(name)) {
            throw new IllegalStateException("'" + route.name() + "' has no secret '" + name
                    + "' — list it under functions." + route.name() + ".secrets in nanolith.yaml");
        }
        String value = route.revision().secrets().get(name);
        if (value == null) {
            throw new IllegalStateException("the secret " + name + " of '" + route.name() + "' is not set — ./nanolith secrets set "
                    + route.revision().app() + " " + name + " sets it");
        }
        return value;
    }

    @Override
    public HttpClient http() {
        return route.revision().hosts().client(this);
    }

    @Override
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /**
     * A logger named after the function whose lines carry this call's activation and trace ids,
     * and are kept with its activation record.
     */
    @Override
    public Logger log() {
        return new CallLog(route.log(), this);
    }

    /** Adds the platform's own line to this call's record, after the function's: how it ended, an error id. */
    public void note(String line) {
        logged(line);
    }

    /** Keeps a line the function logged during this call, up to {@link Activation#MAX_LOG_LINES} of {@link Activation#MAX_LOG_LINE} characters. */
    synchronized void logged(String line) {
        if (logs == null) {
            logs = new ArrayList<>();
        }
        if (logs.size() < Activation.MAX_LOG_LINES) {
            logs.add(line.length() <= Activation.MAX_LOG_LINE ? line : line.substring(0, Activation.MAX_LOG_LINE) + " …");
        } else if (logs.size() == Activation.MAX_LOG_LINES) {
            logs.add("… more lines were logged: see the worker's log");
        }
    }

    /** The call that made this one in this process, or null. */
    public Call parent() {
        return parent;
    }

    /**
     * Adds what one of this call's calls into another process took, as this process saw it: the
     * request, the callee's run and the answer. Nested calls may run on several threads.
     */
    public synchronized void waitedRemote(long nanos) {
        remoteNanos += nanos;
    }

    /** Records how the call ended, for its activation record. */
    public void ended(long durationNanos, Activation.Status status) {
        this.durationNanos = durationNanos;
        this.status = status;
    }

    /** How the call ended, once it {@link #ended}; null before, or when nothing recorded it. */
    public Activation.Status status() {
        return status;
    }

    /**
     * This call's activation record, once it {@link #ended}; it started at {@code start}, and was
     * recorded by the process of {@code service}, which ran it if it runs a copy of its library function.
     */
    public synchronized Activation activation(Instant start, String service) {
        FunctionSpec spec = route.spec();
        String ran = spec.copies().contains(service) ? service : spec.service();
        return new Activation(trace.spanHex(), spec.app(), spec.name(), route.revision().id(), ran, from == null ? "entry" : from,
                carried, principal, trace.id(), trace.parentHex(), start, durationNanos, remoteNanos, status,
                carried ? receivedBytes : -1, carried ? sentBytes : -1, logs == null ? List.of() : logs);
    }
}
