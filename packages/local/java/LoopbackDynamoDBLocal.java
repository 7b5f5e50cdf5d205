import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local from the same command-line arguments its own main class takes, with
 * two differences:
 *
 * <ul>
 *   <li>every Jetty connector is bound to 127.0.0.1 (or the host in the system property
 *       {@code kith.dynamodb.host}) before the server starts: DynamoDB Local has no bind option and
 *       otherwise listens on every interface;
 *   <li>a watchdog reads standard input until end-of-file, then stops the server and exits. The
 *       Node parent holds the write end of that pipe open, so when the parent dies, even by
 *       SIGKILL, the JVM does not outlive it.
 * </ul>
 *
 * It fails closed: if the connectors cannot be rebound, or the server did not start (DynamoDB
 * Local's own start() prints "Could not start server" and returns normally when the port is
 * taken), it exits non-zero instead of serving. Compiled for Java 17 and committed with its class
 * file and checksums: see docs/local-runtime.md.
 */
public final class LoopbackDynamoDBLocal {
  private static final String HOST_PROPERTY = "kith.dynamodb.host";
  private static final long STOP_GRACE_MILLIS = 5_000;

  private LoopbackDynamoDBLocal() {}

  public static void main(String[] args) {
    try {
      serve(args);
    } catch (Throwable error) {
      // Jetty or DynamoDB Local may already have started non-daemon threads: exit explicitly.
      error.printStackTrace();
      fail("could not start: " + error);
    }
  }

  private static void serve(String[] args) throws Exception {
    String host = System.getProperty(HOST_PROPERTY, "127.0.0.1");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Server jetty = jettyServerOf(proxy);

    Connector[] connectors = jetty.getConnectors();
    if (connectors.length == 0) fail("DynamoDB Local's Jetty server has no connector to bind");
    for (Connector connector : connectors) {
      if (!(connector instanceof AbstractNetworkConnector)) {
        fail("cannot bind Jetty connector " + connector + " to " + host);
      }
      ((AbstractNetworkConnector) connector).setHost(host);
    }

    watchStandardInput(proxy);
    proxy.start();

    if (!jetty.isStarted()) fail("DynamoDB Local did not start");
    for (Connector connector : connectors) {
      AbstractNetworkConnector network = (AbstractNetworkConnector) connector;
      if (!host.equals(network.getHost()) || network.getLocalPort() <= 0) {
        fail("Jetty connector is not listening on " + host + ": " + network);
      }
      System.err.println("LoopbackDynamoDBLocal listening on " + host + ":" + network.getLocalPort());
    }
  }

  /** DynamoDBProxyServer keeps its Jetty server in a private field and offers no accessor. */
  private static Server jettyServerOf(DynamoDBProxyServer proxy) throws ReflectiveOperationException {
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    return (Server) field.get(proxy);
  }

  private static void watchStandardInput(DynamoDBProxyServer proxy) {
    Thread watchdog =
        new Thread(
            () -> {
              drain(System.in);
              // A stop that hangs must not keep the JVM alive: halt after a grace period.
              Thread halt =
                  new Thread(
                      () -> {
                        try {
                          Thread.sleep(STOP_GRACE_MILLIS);
                        } catch (InterruptedException ignored) {
                          // halting anyway
                        }
                        Runtime.getRuntime().halt(1);
                      },
                      "kith-stdin-watchdog-halt");
              halt.setDaemon(true);
              halt.start();
              try {
                proxy.stop();
              } catch (Exception error) {
                System.err.println("LoopbackDynamoDBLocal: stop after stdin closed failed: " + error);
              }
              System.exit(0);
            },
            "kith-stdin-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  /** Reads and discards until end-of-file (or a read error, which means the same: no parent). */
  private static void drain(InputStream input) {
    byte[] buffer = new byte[256];
    try {
      while (input.read(buffer) != -1) {
        // nothing is expected on stdin; anything written is ignored
      }
    } catch (IOException ignored) {
      // treated as end-of-file
    }
  }

  private static void fail(String message) {
    System.err.println("LoopbackDynamoDBLocal: " + message);
    System.exit(2);
  }
}
