package sarhad.tools.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs an embedded Neo4j Community with only the Bolt connector, on 127.0.0.1.
 *
 * <pre>
 * java -jar neo4j-launcher.jar --data DIR [--port N] [--pagecache 64m] [--no-stdin-watch]
 * </pre>
 *
 * When the database is ready, exactly one line {@code bolt://127.0.0.1:PORT} is printed on
 * stdout; everything else goes to stderr (and Neo4j's debug.log under DIR/logs). Stops cleanly
 * on SIGTERM/SIGINT, and also when stdin reaches EOF unless --no-stdin-watch is given.
 */
public final class Launcher {
    private static final String HOST = "127.0.0.1";

    private Launcher() {}

    public static void main(String[] args) {
        // Keep stdout for the single URI line: anything else that writes to System.out
        // (libraries, JVM warnings printed through it) ends up on stderr.
        PrintStream stdout = System.out;
        System.setOut(System.err);

        Path data = null;
        int port = 0;
        long pageCache = ByteUnit.mebiBytes(64);
        boolean watchStdin = true;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--data" -> data = Path.of(value(args, ++i, "--data"));
                    case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
                    case "--pagecache" -> pageCache = ByteUnit.parse(value(args, ++i, "--pagecache"));
                    case "--no-stdin-watch" -> watchStdin = false;
                    case "-h", "--help" -> {
                        usage();
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
                }
            }
            if (data == null) {
                throw new IllegalArgumentException("--data DIR is required");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be 0..65535");
            }
        } catch (RuntimeException e) {
            System.err.println("neo4j-launcher: " + e.getMessage());
            usage();
            System.exit(2);
            return;
        }

        try {
            run(data.toAbsolutePath(), port, pageCache, watchStdin, stdout);
        } catch (Throwable t) {
            System.err.println("neo4j-launcher: failed to start: " + t);
            t.printStackTrace(System.err);
            // halt: a half-started DBMS may hold non-daemon threads.
            Runtime.getRuntime().halt(1);
        }
    }

    private static void run(Path home, int port, long pageCache, boolean watchStdin, PrintStream stdout)
            throws IOException, InterruptedException {
        Files.createDirectories(home);
        if (port == 0) {
            // Pick the port up front (rather than binding Bolt to port 0) so that the advertised
            // address, and with it the routing table served to neo4j:// clients, is right too.
            port = freePort();
        }
        Log4jLogProvider userLog = new Log4jLogProvider(System.err, Level.INFO);

        long t0 = System.nanoTime();
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(userLog)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                // Test databases: keep only the latest transaction log, no 256 MiB preallocation.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(16))
                // Bolt's Netty event loops otherwise wait a 5 s quiet period each on shutdown.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            System.err.println("neo4j-launcher: shutting down");
            try {
                dbms.shutdown();
                System.err.println("neo4j-launcher: shutdown complete");
            } catch (Throwable t) {
                System.err.println("neo4j-launcher: error during shutdown: " + t);
            } finally {
                userLog.close();
                stopped.countDown();
            }
        }, "neo4j-launcher-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(TimeUnit.MINUTES.toMillis(3))) {
            throw new IllegalStateException("database 'neo4j' did not become available");
        }
        int boundPort = boltPort(db, port);
        System.err.printf("neo4j-launcher: ready in %d ms, home %s%n",
                Duration.ofNanos(System.nanoTime() - t0).toMillis(), home);

        stdout.println("bolt://" + HOST + ":" + boundPort);
        stdout.flush();

        if (watchStdin) {
            Thread watcher = new Thread(() -> {
                try {
                    InputStream in = System.in;
                    byte[] buf = new byte[256];
                    while (in.read(buf) >= 0) {
                        // discard
                    }
                } catch (IOException ignored) {
                    // treat as EOF
                }
                System.err.println("neo4j-launcher: stdin closed");
                System.exit(0);
            }, "neo4j-launcher-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }
        // Neo4j's own threads keep the JVM alive; just park here until shutdown.
        stopped.await();
    }

    private static int boltPort(GraphDatabaseService db, int requested) {
        ConnectorPortRegister ports =
                ((GraphDatabaseAPI) db).getDependencyResolver().resolveDependency(ConnectorPortRegister.class);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            HostnamePort hp = ports.getLocalAddress(ConnectorType.BOLT);
            if (hp != null && hp.getPort() > 0) {
                return hp.getPort();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (requested > 0) {
            return requested;
        }
        throw new IllegalStateException("Bolt connector did not report its port");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return socket.getLocalPort();
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static void usage() {
        System.err.println(
                "usage: java -jar neo4j-launcher.jar --data DIR [--port N (0 = free port)] "
                        + "[--pagecache SIZE, default 64m] [--no-stdin-watch]");
    }
}
