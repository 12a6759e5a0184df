package com.abcbank.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The bank server. Networking arrives with the protocol; for now it reports its version. */
public final class BankServer {
    private BankServer() {}

    public static void main(String[] args) {
        System.out.println("bank-server " + version());
    }

    static String version() {
        try (InputStream in = BankServer.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
