/**
 * The connector SPI: the published API a plugin author implements to connect one tool to the hub.
 *
 * <p>A {@link dev.switchboard.spi.Connector} is a factory: it describes its options, validates a
 * configuration (returning every problem), and opens a {@link dev.switchboard.spi.Connection} for one
 * configured instance of the tool. A connection offers the capability ports its tool supports
 * ({@link dev.switchboard.spi.ModelRegistry}, {@link dev.switchboard.spi.ArtifactStore},
 * {@link dev.switchboard.spi.EventSource}, {@link dev.switchboard.spi.ActionTarget},
 * {@link dev.switchboard.spi.ExperimentTracker}); the hub asks only for what the connector declares in
 * {@link dev.switchboard.spi.Connector#capabilities()}.
 *
 * <p>Only canonical types ({@code dev.switchboard.model}) and the types in this package cross the SPI.
 * A connector's own DTOs and HTTP client stay in its {@code internal} package.
 *
 * <p>Failures are reported as {@link dev.switchboard.spi.ConnectorException} of one of three
 * {@link dev.switchboard.spi.ErrorKind kinds}; the delivery engine retries only transient ones.
 *
 * <p>Connectors are discovered with {@link java.util.ServiceLoader}: a plugin jar lists its implementation in
 * {@code META-INF/services/dev.switchboard.spi.Connector}.
 */
package dev.switchboard.spi;
