package dev.nanolith.observe;

import dev.nanolith.runtime.observe.Activation;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends activation records as OpenTelemetry spans to an OTLP endpoint, with the exporter the
 * OpenTelemetry SDK configures from the standard settings ({@code OTEL_EXPORTER_OTLP_ENDPOINT},
 * {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, {@code _HEADERS}, {@code _TIMEOUT}, …; see the SDK's
 * autoconfigure module), over HTTP ({@code http/protobuf}). A call from another process is a {@link SpanKind#SERVER} span, a call within
 * one an {@link SpanKind#INTERNAL} span; a span's resource is its service ({@code service.name})
 * of its app ({@code service.namespace}); the lines its function logged are its events.
 */
public final class SpanExport implements AutoCloseable {

    private static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.create("dev.nanolith");
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final AttributeKey<String> SERVICE_NAMESPACE = AttributeKey.stringKey("service.namespace");
    private static final AttributeKey<String> MESSAGE = AttributeKey.stringKey("message");

    private final OpenTelemetrySdk sdk;
    private final SpanExporter exporter;
    private final Map<List<String>, Resource> resources = new ConcurrentHashMap<>();
    /** Exports sent and not yet answered. */
    private final AtomicInteger pending = new AtomicInteger();

    /** How many exports may wait for the endpoint at once. */
    static final int PENDING = 8;

    private SpanExport(OpenTelemetrySdk sdk, SpanExporter exporter) {
        this.sdk = sdk;
        this.exporter = exporter;
    }

    /**
     * The export that {@code settings} (the platform's, over its environment) configure, or null
     * when they name no OTLP endpoint, or turn traces off ({@code OTEL_TRACES_EXPORTER=none},
     * {@code OTEL_SDK_DISABLED=true}).
     *
     * @throws IllegalArgumentException naming a setting that is not valid (the SDK's {@code ConfigurationException} is one)
     */
    public static SpanExport configure(Map<String, String> settings) {
        Map<String, String> properties = new HashMap<>();
        settings.forEach((name, value) -> {
            if (name.startsWith("OTEL_")) {
                properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        boolean endpoint = properties.containsKey("otel.exporter.otlp.endpoint") || properties.containsKey("otel.exporter.otlp.traces.endpoint");
        if (!endpoint || "none".equals(properties.get("otel.traces.exporter")) || "true".equals(properties.get("otel.sdk.disabled"))) {
            return null;
        }
        // Sent with the JDK's HTTP client, which speaks OTLP over HTTP; gRPC would need a sender of its own.
        for (String setting : List.of("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")) {
            String protocol = settings.get(setting);
            if (protocol != null && !protocol.equals("http/protobuf")) {
                throw new IllegalArgumentException(setting + ": '" + protocol + "' is not supported — use http/protobuf (the default), on the"
                        + " endpoint's HTTP port (4318)");
            }
        }
        properties.put("otel.exporter.otlp.protocol", "http/protobuf");
        // Only spans: the platform's metrics are Prometheus', and its logs its own.
        properties.put("otel.traces.exporter", "otlp");
        properties.put("otel.metrics.exporter", "none");
        properties.put("otel.logs.exporter", "none");
        AtomicReference<SpanExporter> exporter = new AtomicReference<>();
        try {
            OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesCustomizer(config -> properties)
                    .addSpanExporterCustomizer((configured, config) -> {
                        exporter.set(configured);
                        return configured;
                    })
                    .disableShutdownHook()
                    .build()
                    .getOpenTelemetrySdk();
            return new SpanExport(sdk, exporter.get());
        } catch (ConfigurationException | IllegalArgumentException e) {
            // The SDK's own messages name the property, or only the value: the settings are named here.
            throw new IllegalArgumentException("the OTEL_EXPORTER_OTLP_* settings are not valid: " + e.getMessage()
                    + " — see the OpenTelemetry SDK's configuration of OTLP exporters", e);
        }
    }

    /**
     * Sends {@code records} as spans, without waiting for the endpoint; {@code failed} is told, on
     * the exporter's thread, when the endpoint did not take them. While {@value #PENDING} exports wait
     * for a slow endpoint, more are not sent but failed at once: memory stays bounded.
     */
    public void export(List<Activation> records, Runnable failed) {
        if (records.isEmpty()) {
            return;
        }
        if (pending.incrementAndGet() > PENDING) {
            pending.decrementAndGet();
            failed.run();
            return;
        }
        CompletableResultCode sent = exporter.export(records.stream().<SpanData>map(a -> new Span(a, resource(a))).toList());
        sent.whenComplete(() -> {
            pending.decrementAndGet();
            if (!sent.isSuccess()) {
                failed.run();
            }
        });
    }

    private Resource resource(Activation a) {
        return resources.computeIfAbsent(List.of(a.app(), a.service()), key -> Resource.getDefault()
                .merge(Resource.create(Attributes.of(SERVICE_NAME, a.service(), SERVICE_NAMESPACE, a.app()))));
    }

    @Override
    public void close() {
        sdk.shutdown().join(10, TimeUnit.SECONDS);
    }

    /** One activation record as the SDK's finished span. */
    private record Span(Activation a, Resource resource) implements SpanData {

        @Override
        public String getName() {
            return a.function();
        }

        @Override
        public SpanKind getKind() {
            return a.remote() ? SpanKind.SERVER : SpanKind.INTERNAL;
        }

        @Override
        public SpanContext getSpanContext() {
            return SpanContext.create(a.traceId(), a.id(), TraceFlags.getSampled(), TraceState.getDefault());
        }

        @Override
        public SpanContext getParentSpanContext() {
            if (a.parentId().isEmpty()) {
                return SpanContext.getInvalid();
            }
            return a.remote() ? SpanContext.createFromRemoteParent(a.traceId(), a.parentId(), TraceFlags.getSampled(), TraceState.getDefault())
                    : SpanContext.create(a.traceId(), a.parentId(), TraceFlags.getSampled(), TraceState.getDefault());
        }

        @Override
        public StatusData getStatus() {
            // As OpenTelemetry's semantic conventions have it for a server's 4xx: what the caller asked for was refused, the
            // service did not fail.
            return switch (a.status()) {
                case SUCCESS, REFUSED, DENIED -> StatusData.unset();
                default -> StatusData.create(StatusCode.ERROR, a.status().word());
            };
        }

        @Override
        public long getStartEpochNanos() {
            return TimeUnit.SECONDS.toNanos(a.start().getEpochSecond()) + a.start().getNano();
        }

        @Override
        public long getEndEpochNanos() {
            return getStartEpochNanos() + a.durationNanos();
        }

        @Override
        public Attributes getAttributes() {
            AttributesBuilder attributes = Attributes.builder()
                    .put("nanolith.app", a.app())
                    .put("nanolith.revision", a.revision())
                    .put("nanolith.caller", a.caller())
                    .put("nanolith.status", a.status().word())
                    .put("enduser.id", a.principal());
            if (a.bytesIn() >= 0) {
                attributes.put("nanolith.bytes.in", a.bytesIn());
            }
            if (a.bytesOut() >= 0) {
                attributes.put("nanolith.bytes.out", a.bytesOut());
            }
            return attributes.build();
        }

        @Override
        public List<EventData> getEvents() {
            return a.logs().stream().map(line -> EventData.create(getEndEpochNanos(), "log", Attributes.of(MESSAGE, line))).toList();
        }

        @Override
        public List<LinkData> getLinks() {
            return List.of();
        }

        @Override
        public boolean hasEnded() {
            return true;
        }

        @Override
        public int getTotalRecordedEvents() {
            return a.logs().size();
        }

        @Override
        public int getTotalRecordedLinks() {
            return 0;
        }

        @Override
        public int getTotalAttributeCount() {
            return getAttributes().size();
        }

        @Override
        public InstrumentationScopeInfo getInstrumentationScopeInfo() {
            return SCOPE;
        }

        @Override
        @SuppressWarnings("deprecation")
        public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
            return InstrumentationLibraryInfo.create(SCOPE.getName(), null);
        }

        @Override
        public Resource getResource() {
            return resource;
        }
    }
}
