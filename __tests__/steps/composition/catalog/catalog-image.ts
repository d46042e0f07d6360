/** Runs the catalog over a real image built by the fixture builder, through the engine's single pass. */
import {
  buildImage,
  type BuiltImage,
  type ImageSpec
} from '../../../../__fixtures__/image-builder.js'
import { memorySource } from '../../../../__fixtures__/memory-source.js'
import { runGate } from '../../../../src/engine.js'
import { silentLogger } from '../../../../src/log.js'
import { defaultPolicy } from '../../../../src/policy/defaults.js'
import {
  CATALOG_FILES,
  CATALOG_SUBSCRIPTIONS,
  catalogPackages,
  type Catalog
} from '../../../../src/steps/composition/catalog/index.js'
import type { ImageView } from '../../../../src/steps/step.js'

export interface Cataloged {
  catalog: Catalog
  image: BuiltImage
  view: ImageView
}

/** Builds `spec`, reads it like a scan does and catalogs it. */
export async function catalogImage(spec: ImageSpec | BuiltImage): Promise<Cataloged> {
  const image = 'layers' in spec && 'manifestDigest' in spec ? spec : buildImage(spec)
  let result: { catalog: Catalog; view: ImageView } | undefined
  await runGate(
    {
      image: 'oci:catalog-test',
      policy: defaultPolicy(),
      acquire: { platform: image.platform, insecureRegistries: [], env: {} }
    },
    silentLogger,
    [
      {
        id: 'composition',
        title: 'catalog',
        needs: () => ({ files: CATALOG_FILES, subscriptions: CATALOG_SUBSCRIPTIONS }),
        run: async ({ image: view }) => {
          result = { catalog: catalogPackages(view), view }
          return { findings: [] }
        }
      }
    ],
    () => memorySource(image, { reference: 'oci:catalog-test' })
  )
  if (result === undefined) throw new Error('the catalog step did not run')
  return { ...result, image }
}
