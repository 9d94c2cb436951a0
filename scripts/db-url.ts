import { devSecrets, embeddedOwnerUrl, loadDotEnv } from "@/db/dev-environment";

// Prints the owner connection URL of the database in use: DATABASE_URL, else the embedded server.
loadDotEnv();
console.log(process.env.DATABASE_URL ?? embeddedOwnerUrl(devSecrets().postgresPassword));
