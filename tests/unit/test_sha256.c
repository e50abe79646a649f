/* SHA-256 against the FIPS 180-2 test vectors (appendix B), fed whole and
 * in every split, so that the streaming buffer is exercised. */
#include "pdl/sha256.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *msg;
    const char *hex;
} vectors[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmn"
     "opjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

static void digest_hex(const char *msg, size_t len, size_t split, char *hex)
{
    struct pdl_sha256 s;
    uint8_t d[32];

    pdl_sha256_init(&s);
    pdl_sha256_update(&s, msg, split);
    pdl_sha256_update(&s, msg + split, len - split);
    pdl_sha256_final(&s, d);
    pdl_sha256_hex(d, hex);
}

START_TEST(test_vectors)
{
    const char *msg = vectors[_i].msg;
    size_t len = strlen(msg);
    char hex[65];

    for (size_t split = 0; split <= len; split++) {
        digest_hex(msg, len, split, hex);
        ck_assert_str_eq(hex, vectors[_i].hex);
    }
}
END_TEST

/* One million 'a', in uneven pieces. */
START_TEST(test_million_a)
{
    static char block[1024];
    struct pdl_sha256 s;
    uint8_t d[32];
    char hex[65];
    size_t left = 1000000;

    memset(block, 'a', sizeof(block));
    pdl_sha256_init(&s);
    for (size_t step = 1; left > 0; step = step % 997 + 7) {
        size_t n = step < left ? step : left;
        pdl_sha256_update(&s, block, n);
        left -= n;
    }
    pdl_sha256_final(&s, d);
    pdl_sha256_hex(d, hex);
    ck_assert_str_eq(
        hex,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Lengths around the padding's edges (55, 56, 63, 64 bytes). */
START_TEST(test_padding_edges)
{
    static const struct {
        size_t len;
        const char *hex;
    } edges[] = {
        {55,
         "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56,
         "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63,
         "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64,
         "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
    };
    char msg[64], hex[65];

    memset(msg, 'a', sizeof(msg));
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        digest_hex(msg, edges[i].len, edges[i].len / 2, hex);
        ck_assert_str_eq(hex, edges[i].hex);
    }
}
END_TEST

static Suite *sha256_suite(void)
{
    Suite *s = suite_create("sha256");
    TCase *tc = tcase_create("fips");

    tcase_add_loop_test(tc, test_vectors, 0,
                        sizeof(vectors) / sizeof(vectors[0]));
    tcase_add_test(tc, test_million_a);
    tcase_add_test(tc, test_padding_edges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sha256_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
