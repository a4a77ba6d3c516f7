"""Comparison questions: a point said of the other compared side is caught, not credited."""

from tutor.grading.attribution import misattributed, point_subjects
from tutor.grading.polarity import clauses
from tutor.grading.terms import TermGroup

QUESTION = "What are the differences between GANs and VAEs?"
POINTS = ("GANs pit a generator against a discriminator in a minimax game.",
          "VAEs are encoder-decoder models with a probabilistic latent space.",
          "GAN outputs are sharper; VAE outputs tend to be blurrier.",
          "GANs are hard to train and can suffer mode collapse.",
          "VAEs optimise a reconstruction loss plus a KL divergence.")
ADVERSARIAL = [TermGroup.of(["discriminator", "critic"]), TermGroup.of(["minimax"])]


def test_sides_come_from_a_comparison_question_and_the_points_that_open_with_them():
    assert point_subjects(QUESTION, POINTS) == ("gan", "vae", None, "gan", "vae")
    assert point_subjects("What is a GAN and what is a VAE used for?", POINTS) == (None,) * 5


def test_a_point_said_only_of_the_other_side_is_misattributed():
    swapped = clauses("In a VAE the encoder acts as a critic in a minimax game with the "
                      "decoder.")
    right = clauses("A GAN trains a generator against a critic; a VAE encodes and decodes.")
    assert misattributed(ADVERSARIAL, "gan", {"gan", "vae"}, swapped)
    assert not misattributed(ADVERSARIAL, "gan", {"gan", "vae"}, right)


def test_terms_said_without_naming_a_side_are_not_judged():
    unnamed = clauses("One network plays a critic in a minimax game.")
    assert not misattributed(ADVERSARIAL, "gan", {"gan", "vae"}, unnamed)
