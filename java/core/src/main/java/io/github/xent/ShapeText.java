package io.github.xent;

/** A call whose messages name its shape: {@link Arg} says what the shape needs in its errors. */
interface ShapeText {
    String shapeText();
}
