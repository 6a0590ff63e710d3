/**
 * Durable delivery of connector operations: the outbox, the engine that performs it, and the dispatcher routes
 * use. How an application wires it (plain Java, no framework needed):
 *
 * <pre>{@code
 * Store store = Store.open(dataSource, clock);
 * Outbox outbox = new Outbox(store, clock);
 * DeadLetters deadLetters = new DeadLetters(store, outbox, clock);
 * camel.addComponent("switchboard", new SwitchboardComponent(store, new OutboxActionDispatcher(outbox)));
 * DeliveryEngine engine = new DeliveryEngine(store, outbox, connections, deadLetters,
 *         DeliveryEngine.Settings.DEFAULTS, meterRegistry, clock);
 * engine.start();   // engine.stop() at shutdown: unfinished claims expire and are taken over
 * }</pre>
 *
 * A route's {@code to: switchboard:<connection>/<action>} becomes one {@link dev.switchboard.core.delivery.Delivery}
 * (once per idempotency key); the engine performs it at least once, in order per subject, retrying transient
 * failures and dead-lettering the rest ({@link dev.switchboard.core.delivery.DeadLetters}). The route execution that
 * asked waits for it: its next step starts only once this one is DELIVERED (the outbox makes the execution runnable
 * again in the same transaction), and a dead-lettered one stops the execution at its step (see
 * {@code docs/route-executions.md}).
 */
package dev.switchboard.core.delivery;
