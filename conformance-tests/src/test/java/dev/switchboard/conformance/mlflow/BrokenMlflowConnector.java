package dev.switchboard.conformance.mlflow;

import dev.switchboard.conformance.ForwardingConnector;
import dev.switchboard.conformance.fakes.mlflow.MlflowWebhookSender;
import dev.switchboard.connector.mlflow.MlflowConnector;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.PageRequest;
import dev.switchboard.spi.WebhookRequest;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A deliberately broken MLflow connector, in the spirit of Kafka Connect's {@code test-plugins}: the real
 * connector with one classic mistake wired in, so a test can prove the kit's suites reject it.
 */
final class BrokenMlflowConnector extends ForwardingConnector {

    /** The mistakes the broken connector can make. */
    enum Flaw {
        /** {@code listModels} always fetches the first page: paging never ends, or repeats itself. */
        IGNORES_PAGE_TOKEN,
        /** Webhooks are accepted whenever a signature header is present, whatever it says. */
        CHECKS_SIGNATURE_PRESENCE_ONLY,
        /** {@code createVersion} forgets the idempotency key, so a retry creates a second version. */
        NON_IDEMPOTENT_CREATE,
        /** A signature is accepted when it is the start of the right one ({@code expected.startsWith(given)}). */
        SIGNATURE_PREFIX_MATCHES,
        /** With no webhook secret configured, every webhook is accepted instead of refused. */
        ACCEPTS_WEBHOOKS_WITHOUT_SECRET,
        /** Failures of the registry carry the API token in their message, as a request dump would. */
        ECHOES_TOKEN_IN_ERRORS
    }

    /** The secret the variant without one verifies with behind the scenes: the webhook is accepted anyway. */
    private static final String STAND_IN_SECRET = "accept-anything";

    private final Flaw flaw;

    BrokenMlflowConnector(Flaw flaw) {
        super(new MlflowConnector());
        this.flaw = flaw;
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        Optional<String> configured = config.string("webhook-secret");
        if (flaw == Flaw.ACCEPTS_WEBHOOKS_WITHOUT_SECRET && configured.isEmpty()) {
            Map<String, String> options = new java.util.HashMap<>(config.options());
            options.put("webhook-secret", STAND_IN_SECRET);
            config = new ConnectionConfig(config.name(), config.type(), options);
        }
        Connection connection = super.open(config, context);
        String secret = config.string("webhook-secret").orElse(null);
        String token = config.string("token").orElse("");
        return new ForwardingConnection(connection) {
            @Override
            public Optional<ModelRegistry> modelRegistry() {
                return connection.modelRegistry().map(registry -> broken(registry, token));
            }

            @Override
            public Optional<EventSource> eventSource() {
                return connection.eventSource().map(source -> broken(source, secret));
            }
        };
    }

    private ModelRegistry broken(ModelRegistry registry, String token) {
        ModelRegistry tampered = proxy(ModelRegistry.class, registry, (method, args) -> {
            if (flaw == Flaw.IGNORES_PAGE_TOKEN && method.equals("listModels")) {
                args[0] = PageRequest.first(((PageRequest) args[0]).pageSize());
            }
            if (flaw == Flaw.NON_IDEMPOTENT_CREATE && method.equals("createVersion")) {
                args[1] = UUID.randomUUID().toString();
            }
        });
        if (flaw != Flaw.ECHOES_TOKEN_IN_ERRORS) {
            return tampered;
        }
        InvocationHandler echo = (self, method, args) -> {
            try {
                return method.invoke(tampered, args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof ConnectorException failure) {
                    throw new ConnectorException(failure.kind(), failure.connection(), failure.getMessage()
                            + " (request had Authorization: Bearer " + token + ")", failure.retryAfter().orElse(null),
                            failure);
                }
                throw e.getCause();
            }
        };
        return (ModelRegistry) Proxy.newProxyInstance(ModelRegistry.class.getClassLoader(),
                new Class<?>[] {ModelRegistry.class}, echo);
    }

    private EventSource broken(EventSource source, String secret) {
        if (flaw == Flaw.SIGNATURE_PREFIX_MATCHES && secret != null) {
            return prefixMatching(source, secret);
        }
        if (flaw == Flaw.ACCEPTS_WEBHOOKS_WITHOUT_SECRET && STAND_IN_SECRET.equals(secret)) {
            return resigning(source, secret);
        }
        if (flaw != Flaw.CHECKS_SIGNATURE_PRESENCE_ONLY) {
            return source;
        }
        return new EventSource() {
            @Override
            public List<dev.switchboard.model.CanonicalEvent> receive(WebhookRequest request) {
                if (request.header("X-MLflow-Signature").isEmpty()) {
                    return source.receive(request);
                }
                // "verified": a signature is there. Re-sign so the real check below can only agree.
                Map<String, String> headers = Map.of(
                        "X-MLflow-Delivery-Id", request.header("X-MLflow-Delivery-Id").orElse(""),
                        "X-MLflow-Timestamp", request.header("X-MLflow-Timestamp").orElse("0"));
                MlflowWebhookSender.Delivery resigned = MlflowWebhookSender.resignedWith(
                        new MlflowWebhookSender.Delivery(headers.get("X-MLflow-Delivery-Id"), headers, request.body()),
                        secret);
                return source.receive(resigned.toRequest(request.connection(), request.receivedAt()));
            }

            @Override
            public PollResult poll(String cursor) {
                return source.poll(cursor);
            }
        };
    }

    /** Accepts a delivery whose signature is a prefix of the right one: the real check then sees the right one. */
    private static EventSource prefixMatching(EventSource source, String secret) {
        return new EventSource() {
            @Override
            public List<dev.switchboard.model.CanonicalEvent> receive(WebhookRequest request) {
                Optional<String> given = request.header("X-MLflow-Signature");
                MlflowWebhookSender.Delivery resigned = resign(request, secret);
                String right = resigned.headers().get("X-MLflow-Signature");
                if (given.isPresent() && !given.get().isEmpty() && right.startsWith(given.get())) {
                    return source.receive(resigned.toRequest(request.connection(), request.receivedAt()));
                }
                return source.receive(request);
            }

            @Override
            public PollResult poll(String cursor) {
                return source.poll(cursor);
            }
        };
    }

    /** Accepts every delivery: re-signs it with the secret the real connection holds. */
    private static EventSource resigning(EventSource source, String secret) {
        return new EventSource() {
            @Override
            public List<dev.switchboard.model.CanonicalEvent> receive(WebhookRequest request) {
                return source.receive(resign(request, secret).toRequest(request.connection(), request.receivedAt()));
            }

            @Override
            public PollResult poll(String cursor) {
                return source.poll(cursor);
            }
        };
    }

    private static MlflowWebhookSender.Delivery resign(WebhookRequest request, String secret) {
        Map<String, String> headers = Map.of(
                "X-MLflow-Delivery-Id", request.header("X-MLflow-Delivery-Id").orElse(""),
                "X-MLflow-Timestamp", request.header("X-MLflow-Timestamp").orElse("0"));
        return MlflowWebhookSender.resignedWith(
                new MlflowWebhookSender.Delivery(headers.get("X-MLflow-Delivery-Id"), headers, request.body()), secret);
    }

    /** A proxy that lets {@code tamper} rewrite the arguments of each call before it reaches {@code target}. */
    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, ArgumentTamperer tamper) {
        InvocationHandler handler = (self, method, args) -> {
            Object[] arguments = args == null ? new Object[0] : args.clone();
            tamper.tamper(method.getName(), arguments);
            try {
                return method.invoke(target, arguments);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }

    @FunctionalInterface
    private interface ArgumentTamperer {
        void tamper(String method, Object[] args);
    }
}
