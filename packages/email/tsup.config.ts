import { defineConfig } from 'tsup';

export default defineConfig({
  entry: [
    'src/index.ts',
    'src/resend.ts',
    'src/postmark.ts',
    'src/sendgrid.ts',
    'src/ses.ts',
    'src/mailgun.ts',
    'src/from-env.ts',
    'src/webhooks.ts',
    'src/schema.ts',
  ],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
});
