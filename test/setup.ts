// Loaded once per test file, like the server entry: @peculiar/x509 needs reflect-metadata.
import "reflect-metadata";
