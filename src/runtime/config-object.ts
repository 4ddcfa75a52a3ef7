// The configuration objects the stack's policy publisher writes into a bucket and the handlers read on every run.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** The text of configuration object `key`; one over `maxBytes` is refused before its body is read. */
export async function readConfigObject(s3: S3Client, bucket: string, key: string, maxBytes: number): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if ((response.ContentLength ?? 0) > maxBytes) {
    response.Body?.transformToWebStream()
      .cancel()
      .catch(() => undefined);
    throw new Error(`configuration object ${key} is ${response.ContentLength} bytes, over ${maxBytes}`);
  }
  return response.Body!.transformToString();
}
