package com.abcbank.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The bank client. Commands arrive with the protocol; for now it reports its version. */
public final class BankCli {
    private BankCli() {}

    public static void main(String[] args) {
        System.out.println("client " + version());
    }

    static String version() {
        try (InputStream in = BankCli.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
