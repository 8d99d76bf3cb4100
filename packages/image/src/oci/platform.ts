// The OCI platform of the machine building the image: the image carries this machine's Node
// binary, so it runs where this machine's binaries run.

/** GOARCH names (image-spec config.md `architecture`) of the Node architectures Loom ships. */
const OCI_ARCHITECTURE: Readonly<Partial<Record<NodeJS.Architecture, string>>> = {
  x64: 'amd64',
  arm64: 'arm64',
};

export function ociArchitecture(arch: NodeJS.Architecture = process.arch): string {
  const mapped = OCI_ARCHITECTURE[arch];
  if (!mapped)
    throw new Error(
      `cannot build an image on ${arch}: Loom's image is built for ${Object.values(OCI_ARCHITECTURE).join(' and ')}`,
    );
  return mapped;
}
